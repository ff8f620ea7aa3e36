module github.com/acme/ledger-service

go 1.22

require (
	github.com/jackc/pgx/v5 v5.5.5
	google.golang.org/grpc v1.63.2
	google.golang.org/protobuf v1.33.0
)
