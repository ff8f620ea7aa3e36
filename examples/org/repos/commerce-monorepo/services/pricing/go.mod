module github.com/acme/commerce-monorepo/services/pricing

go 1.22
