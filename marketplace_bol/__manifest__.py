{
    "name": "Marketplace Connector: Bol.com",
    "summary": "Bol.com retailer accounts (Retailer API v10): FBR and FBB orders, shipments, returns, "
    "stock, prices and offers",
    "version": "17.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Marketplace Connector Suite",
    "depends": ["marketplace_base"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/bol_security.xml",
        "data/bol_data.xml",
        "views/marketplace_instance_views.xml",
        "views/delivery_carrier_views.xml",
        "views/stock_picking_views.xml",
    ],
    "demo": [
        "data/bol_demo.xml",
    ],
    "installable": True,
}
