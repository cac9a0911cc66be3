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
        "security/ir.model.access.csv",
        "security/amazon_security.xml",
        "data/amazon_marketplace_data.xml",
        "data/amazon_data.xml",
        "views/amazon_marketplace_views.xml",
        "views/marketplace_instance_views.xml",
    ],
    "demo": [
        "data/amazon_demo.xml",
    ],
    "installable": True,
}
