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

output "photos_distribution_domain" {
  description = "CloudFront domain of the photo CDN."
  value       = aws_cloudfront_distribution.photos.domain_name
}
