package main

import "log"

func main() {
	// The original authors left in the 2023 reorg; nobody has claimed this service yet.
	log.Println("feature-flags-service listening on :8013")
}
