"""Route 53: the hosted zones served over real DNS (UDP and TCP).

    models.py      moto's zones and record sets as plain data; new zones name the local name servers
    component.py   DnsServer: the listener, the catalog rebuilt when the cloud changes
    zones.py       the catalog: answers, aliases, delegation, NXDOMAIN with the SOA
    records.py     record values parsed and checked
Alias targets of other services (a distribution's DomainName) come through Component.alias_targets().
"""
