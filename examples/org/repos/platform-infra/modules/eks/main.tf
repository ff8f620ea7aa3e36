module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.8"
  cluster_name    = "prod"
  cluster_version = "1.29"
  tags = {
    team = "team-sre"
  }
}
