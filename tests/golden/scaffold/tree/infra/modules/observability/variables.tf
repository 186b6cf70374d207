variable "name" {
  description = "Prefix of every resource name (project-environment)"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the trail, its bucket and its log group"
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the trail's log group"
  type        = number
}

variable "trail_retention_days" {
  description = "Days the trail's log files are kept in S3"
  type        = number
}

variable "sampling_rate" {
  description = "Share of requests X-Ray traces beyond the first each second"
  type        = number
}

variable "enable_xray_sampling_rule" {
  description = "Create the X-Ray sampling rule (off against emulators without that API)"
  type        = bool
}

variable "enable_xray_group" {
  description = "Create the X-Ray group (off against emulators without that API)"
  type        = bool
}

variable "alarm_email" {
  description = "Address the alarm topic mails ('' for none: subscribe a pager to the topic instead)"
  type        = string
}
