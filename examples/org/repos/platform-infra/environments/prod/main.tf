module "networking" { source = "../../modules/networking" }
module "kafka" { source = "../../modules/kafka" }
module "eks" { source = "../../modules/eks" }
