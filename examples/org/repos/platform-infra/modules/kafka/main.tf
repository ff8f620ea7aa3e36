resource "aws_msk_cluster" "main" {
  cluster_name           = "kafka-main"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 6

  broker_node_group_info {
    instance_type   = "kafka.m5.large"
    client_subnets  = var.private_subnet_ids
    security_groups = [aws_security_group.kafka.id]
  }

  tags = {
    team = "team-platform"
  }
}
