module github.com/acme/commerce-monorepo/libs/money

go 1.22
