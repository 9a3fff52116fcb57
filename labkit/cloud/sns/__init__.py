"""SNS: the delivery moto leaves out (confirmations, e-mail, signed HTTP POSTs, Lambda), off the request thread.

    models.py      moto's subscriptions; publishes to the kit's protocols handed to the delivery queue
    provider.py    Subscribe, ConfirmSubscription, Unsubscribe… with pending confirmations
    sandbox.py     the SMS sandbox (verified destination numbers) and the texts it lets through to the phone
    component.py   NotifyComponent: the delivery worker and the /_lab/sns/ pages
    queue.py       DeliveryQueue: jobs by due time, retried after a back-off
    messages.py    the JSON documents and their signatures
"""
