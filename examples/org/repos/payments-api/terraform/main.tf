module "payments_db" {
  source         = "git::https://github.com/acme/platform-infra//modules/aurora-postgres?ref=v3.2.0"
  name           = "payments-db"
  instance_class = "db.r6g.large"
  tags = {
    team    = "team-payments"
    service = "payments-api"
  }
}
