from . import test_bol_account
from . import test_bol_orders
from . import test_bol_shipments
from . import test_bol_stock
from . import test_bol_returns
from . import test_bol_limits
from . import test_bol_schedule
