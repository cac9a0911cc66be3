from . import test_jobs
from . import test_queue
from . import test_queue_concurrency
from . import test_security
from . import test_notifications
from . import test_order_import
from . import test_order_taxes
from . import test_order_workflow
