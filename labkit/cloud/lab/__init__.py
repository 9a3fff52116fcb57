"""The kit's own pages on the gateway: the /_lab/ home page and the check board.

    component.py   LabComponent: the home page, /_lab/architecture.svg, /_lab/api/checks, the built docs site
    board.py       CheckBoard: each learner's latest check results, validated and size-capped
    page.py        the home page's HTML and its small polling script
The picture itself is labkit.architecture's, shared with the notebooks.
"""
