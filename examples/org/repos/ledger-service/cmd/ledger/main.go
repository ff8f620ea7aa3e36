package main

import (
	"log"
	"net"

	"google.golang.org/grpc"
)

func main() {
	lis, err := net.Listen("tcp", ":9090")
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	srv := grpc.NewServer()
	// ledgerv1.RegisterLedgerServer(srv, newServer())
	log.Println("ledger-service listening on :9090")
	if err := srv.Serve(lis); err != nil {
		log.Fatal(err)
	}
}
