{
    "name": "Marketplace Connector: Bol.com",
    "summary": "Bol.com retailer accounts: FBR and FBB orders, shipments, returns, stock and prices",
    "version": "17.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Suite",
    "depends": ["marketplace_base"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "views/marketplace_instance_views.xml",
    ],
    "installable": True,
}
