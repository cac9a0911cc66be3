from . import test_bigcommerce_account
from . import test_bigcommerce_orders
from . import test_bigcommerce_order_mapping
from . import test_bigcommerce_shipments
from . import test_bigcommerce_stock
from . import test_bigcommerce_listings
from . import test_bigcommerce_payments
from . import test_bigcommerce_limits
