{
    "name": "Marketplace Connector: BigCommerce",
    "summary": "BigCommerce stores: orders, shipments, stock, prices and payments",
    "version": "17.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Suite",
    "depends": ["marketplace_base"],
    "external_dependencies": {"python": ["bigcommerce"]},
    "data": [
        "views/marketplace_instance_views.xml",
    ],
    "installable": True,
}
