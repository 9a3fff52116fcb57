"""Tests of the Lambda runtime (labkit/cloud/runtime/)."""
