{
    "name": "Marketplace Connector: BigCommerce",
    "summary": "BigCommerce stores: orders, shipments, stock per location, prices, listings and payments",
    "version": "17.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Suite",
    "depends": ["marketplace_base"],
    "external_dependencies": {"python": ["bigcommerce", "requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/bigcommerce_security.xml",
        "views/bigcommerce_reference_views.xml",
        "views/marketplace_instance_views.xml",
        "views/marketplace_listing_views.xml",
    ],
    "demo": [
        "data/bigcommerce_demo.xml",
    ],
    "installable": True,
}
