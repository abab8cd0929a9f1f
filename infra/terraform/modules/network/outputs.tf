output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "The VPC's address range."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Subnets of the load balancer and NAT gateways."
  value       = aws_subnet.public[*].id
}

output "app_subnet_ids" {
  description = "Private subnets of the ECS tasks."
  value       = aws_subnet.app[*].id
}

output "data_subnet_ids" {
  description = "Private subnets of the database and cache, with no route to the internet."
  value       = aws_subnet.data[*].id
}

output "tasks_security_group_id" {
  description = "Security group of the ECS tasks (the database and cache admit only it)."
  value       = aws_security_group.tasks.id
}
