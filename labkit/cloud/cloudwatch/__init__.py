"""CloudWatch Logs, as far as the data planes write to it.

    models.py      put_log_lines: log events appended to a group and stream, both created when missing
"""
