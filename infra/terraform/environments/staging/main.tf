# Staging: the production shape at a smaller size (two zones, one NAT gateway, small
# instances, fewer tasks).

module "saltbitter" {
  source = "../../modules/stack"

  name                       = "saltbitter-staging"
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

  vpc_cidr_block          = "10.41.0.0/16"
  availability_zones      = ["${var.region}a", "${var.region}b"]
  single_nat_gateway      = true
  database_instance_class = "db.t4g.medium"
  database_storage_gb     = 50
  cache_node_type         = "cache.t4g.small"
  log_retention_days      = 365
  api_min_tasks           = 2
  api_max_tasks           = 4
  worker_min_tasks        = 1
  worker_max_tasks        = 2
}
