environment         = "prod"
region              = "eu-west-1"
availability_zones  = ["eu-west-1a", "eu-west-1b"]
min_size            = 2
max_size            = 6
db_instance_count   = 2
deletion_protection = true
log_retention_days  = 365
# Strangler fig: the contexts whose service serves their routes, in the plan's extraction
# order (README: Moving a context out); every other route goes to the monolith.
extracted = []
