"""IAM: role sessions held to their role's policies (Lambda functions' calls, AssumeRole's), and the policy
evaluation bucket policies share."""
