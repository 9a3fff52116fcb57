"""S3: what decides who may read a bucket (moto serves the API itself).

    models.py      a bucket's policy, Block Public Access and ACLs; an object with the headers S3 serves
    component.py   S3AnonymousAccess: unsigned requests get S3's 403 unless the bucket allows them
    cors.py        CORS answers from the bucket's CORS configuration alone
    presigned.py   presigned URLs checked as S3 checks them (expiry, signature, key)
    errors.py      S3's XML error answers
"""
