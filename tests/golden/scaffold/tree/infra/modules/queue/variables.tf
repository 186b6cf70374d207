variable "name" {
  description = "Queue name (project-environment-consumer-inbox); the dead-letter queue adds -dlq"
  type        = string
}

variable "events" {
  description = "Events the queue carries (message attribute `event`)"
  type        = list(string)
}

variable "consumer_role_name" {
  description = "Instance role of the consuming service"
  type        = string
}

variable "consumer_role_arn" {
  description = "ARN of the consuming service's instance role"
  type        = string
}

variable "producer_roles" {
  description = "Instance role name of each producing service, by service name"
  type        = map(string)
}

variable "producer_role_arns" {
  description = "Instance role ARN of each producing service, by service name"
  type        = map(string)
}

variable "kms_key_arn" {
  description = "KMS key of both queues"
  type        = string
}

variable "max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue"
  type        = number
}

variable "age_alarm_seconds" {
  description = "Alarm when the oldest message is older than this"
  type        = number
}

variable "enable_redrive_allow_policy" {
  description = "Let only this queue redrive into the dead-letter queue (off against emulators that never report it)"
  type        = bool
}

variable "alarm_actions" {
  description = "ARNs the queue's alarms notify (the alarm topic)"
  type        = list(string)
}
