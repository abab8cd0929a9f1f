output "media_bucket_name" {
  description = "The private bucket of photos, attachments and exports (SALTBITTER_S3_BUCKET)."
  value       = aws_s3_bucket.media.bucket
}

output "media_bucket_arn" {
  description = "ARN of the media bucket (the task role's policy)."
  value       = aws_s3_bucket.media.arn
}

output "logs_bucket_name" {
  description = "Bucket that receives access logs."
  value       = aws_s3_bucket.logs.bucket
}

output "photos_base_url" {
  description = "Base of the signed photo URLs (SALTBITTER_CDN_BASE_URL): the CDN host, whose root is the bucket's photos/."
  value       = "https://${var.photos_domain_name}"
}

output "photos_signing_key_id" {
  description = "Id of the CloudFront public key the tasks sign with (SALTBITTER_CDN_KEY_PAIR_ID)."
  value       = aws_cloudfront_public_key.photos[var.cloudfront_signing_key].id
}

output "photos_public_key_ids" {
  description = "Name -> id of every public key the photo CDN trusts."
  value       = { for name, key in aws_cloudfront_public_key.photos : name => key.id }
}

output "photos_distribution_domain" {
  description = "CloudFront domain of the photo CDN."
  value       = aws_cloudfront_distribution.photos.domain_name
}
