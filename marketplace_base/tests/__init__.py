from . import test_jobs
from . import test_queue
from . import test_queue_concurrency
from . import test_security
from . import test_notifications
