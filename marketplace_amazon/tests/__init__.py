from . import test_amazon_account
from . import test_amazon_orders
from . import test_amazon_shipments
from . import test_amazon_stock
from . import test_amazon_engine
from . import test_amazon_concurrency
