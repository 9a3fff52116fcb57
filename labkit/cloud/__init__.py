"""The local cloud: moto for the AWS APIs behind a gateway, plus this kit's data planes (see DESIGN)."""
