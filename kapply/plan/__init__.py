"""The plan layer: what apply would do, computed without any I/O.

`make_plan` (plan.py) takes the loaded manifests, the live objects the caller fetched and the
inventory, and returns a `Plan` of `Change` values. Inside: the three-way merge (three_way.py) with
its merge-key table (merge_keys.py), normalisation for diffs (normalize.py), immutable-field checks
(immutable.py), apply/prune order (order.py), ownership and the inventory (inventory.py), and the
text / JSON renderings (render.py). `diff` renders a Plan; `apply` executes one.
"""

from kapply.plan.change import Change, FieldChange
from kapply.plan.inventory import Inventory, inventory_id_for, prune_candidates
from kapply.plan.normalize import normalize
from kapply.plan.plan import PLAN_FORMAT, Plan, make_plan
from kapply.plan.three_way import LAST_APPLIED, merge

__all__ = ["LAST_APPLIED", "PLAN_FORMAT", "Change", "FieldChange", "Inventory", "Plan", "inventory_id_for",
           "make_plan", "merge", "normalize", "prune_candidates"]
