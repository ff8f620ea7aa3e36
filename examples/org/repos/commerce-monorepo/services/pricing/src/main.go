package main

import "log"

func main() {
	log.Println("pricing-service starting")
}
