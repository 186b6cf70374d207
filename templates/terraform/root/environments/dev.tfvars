environment         = "dev"
region              = "eu-west-1"
availability_zones  = ["eu-west-1a", "eu-west-1b"]
min_size            = 1
max_size            = 2
db_instance_count   = 1
deletion_protection = false
log_retention_days  = 365
# Strangler fig: the contexts whose service serves their routes, in the plan's extraction
# order (README: Moving a context out); every other route goes to the monolith.
extracted = []
