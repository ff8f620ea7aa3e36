package main

import "log"

func main() {
	log.Println("reconciling ledger against PSP settlement reports")
}
