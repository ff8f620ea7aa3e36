module github.com/acme/commerce-monorepo/services/inventory

go 1.22

require github.com/aws/aws-sdk-go-v2/service/dynamodb v1.31.1
