from . import test_amazon_account
from . import test_amazon_orders
from . import test_amazon_shipments
from . import test_amazon_stock
