output "trail_bucket" {
  description = "Bucket of the CloudTrail log files"
  value       = aws_s3_bucket.trail.id
}

output "trail_arn" {
  description = "ARN of the trail"
  value       = aws_cloudtrail.this.arn
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies"
  value       = aws_sns_topic.alarms.arn
}
