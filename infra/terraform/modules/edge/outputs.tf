output "alb_dns_name" {
  description = "DNS name of the load balancer (the API host name's alias target)."
  value       = aws_lb.this.dns_name
}

output "alb_arn_suffix" {
  description = "Load balancer ARN suffix (CloudWatch dimensions)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "Target group of the api service."
  value       = aws_lb_target_group.api.arn
}

output "target_group_arn_suffix" {
  description = "Target group ARN suffix (CloudWatch dimensions)."
  value       = aws_lb_target_group.api.arn_suffix
}
