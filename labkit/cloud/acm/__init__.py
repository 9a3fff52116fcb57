"""AWS Certificate Manager: certificates issued by the local CA once their DNS validation record resolves.

    models.py      moto's certificate records (ARN, tags, options), their status and PEMs
    provider.py    RequestCertificate, DescribeCertificate… where moto gets status and validation wrong
    component.py   CertificateAuthority: the local CA at start (make trust), the ACM provider
"""
