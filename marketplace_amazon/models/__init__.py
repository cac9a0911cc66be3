from . import amazon_marketplace
from . import amazon_demo
from . import amazon_feed
from . import amazon_shipment
from . import marketplace_instance
from . import marketplace_instance_account
from . import marketplace_instance_settlement
from . import marketplace_order_importer
