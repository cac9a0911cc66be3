{
    "name": "Marketplace Connector: Amazon",
    "summary": "Amazon Seller Central accounts (SP-API): FBA and FBM orders, shipments, stock and prices",
    "version": "17.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Suite",
    "depends": ["marketplace_base"],
    "external_dependencies": {"python": ["sp_api"]},
    "data": [
        "views/marketplace_instance_views.xml",
    ],
    "installable": True,
}
