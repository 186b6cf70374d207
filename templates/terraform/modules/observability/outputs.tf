output "trail_bucket" {
  description = "Bucket of the CloudTrail log files"
  value       = aws_s3_bucket.trail.id
}

output "trail_arn" {
  description = "ARN of the trail"
  value       = aws_cloudtrail.this.arn
}
