from . import amazon_marketplace
from . import amazon_feed
from . import marketplace_instance
from . import sale_order
