package main

import "log"

func main() {
	log.Println("orders-service starting")
}
