package main

import "log"

func main() {
	log.Println("inventory-service starting")
}
