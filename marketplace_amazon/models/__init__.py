from . import amazon_marketplace
from . import amazon_demo
from . import marketplace_instance
