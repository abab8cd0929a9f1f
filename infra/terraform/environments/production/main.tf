# Production: three zones, a NAT gateway per zone, Multi-AZ database and cache,
# deletion protection, a year of logs.

module "saltbitter" {
  source = "../../modules/stack"

  name                       = "saltbitter-production"
  region                     = var.region
  image                      = var.image
  api_domain_name            = var.api_domain_name
  api_certificate_arn        = var.api_certificate_arn
  photos_domain_name         = var.photos_domain_name
  cloudfront_certificate_arn = var.cloudfront_certificate_arn
  cloudfront_public_keys     = var.cloudfront_public_keys
  cloudfront_signing_key     = var.cloudfront_signing_key
  mail_from_address          = var.mail_from_address
  alarm_emails               = var.alarm_emails

  vpc_cidr_block          = "10.40.0.0/16"
  availability_zones      = ["${var.region}a", "${var.region}b", "${var.region}c"]
  single_nat_gateway      = false
  database_instance_class = "db.r7g.large"
  database_storage_gb     = 200
  backup_retention_days   = 7
  cache_node_type         = "cache.r7g.large"
  log_retention_days      = 365
  api_min_tasks           = 3
  api_max_tasks           = 20
  worker_min_tasks        = 2
  worker_max_tasks        = 12
}
