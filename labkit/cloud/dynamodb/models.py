"""moto's DynamoDB writes, reported: a hook hears the account, Region, table and item size of each one.

    set_write_hook(hook)   hook(account, region, table, size) after each PutItem, UpdateItem and DeleteItem
                           moto served (BatchWriteItem's puts and deletes go through the same calls); None: off

Transactions (TransactWriteItems) write through moto's tables directly and are not reported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..moto.importhook import when_imported

WriteHook = Callable[[str, str, str, int], None]
_hook: WriteHook | None = None


def set_write_hook(hook: WriteHook | None) -> None:
    global _hook
    _hook = hook


def _size(item: Any) -> int:
    return item.size() if item is not None and hasattr(item, "size") else 0


def _reported(original: Callable[..., Any], before: Callable[[Any, str, Any], int] | None = None) -> Callable:
    @functools.wraps(original)
    def write(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        old = before(self, table_name, args[0] if args else kwargs.get("key")) if before and _hook else 0
        item = original(self, table_name, *args, **kwargs)
        hook = _hook
        if hook is not None:
            hook(self.account_id, self.region_name, table_name, max(_size(item), old))
        return item

    write.__kit_reported__ = True  # type: ignore[attr-defined]
    return write


def _size_before(backend: Any, table_name: str, key: Any) -> int:
    """The size of the item an UpdateItem is about to change, measured now: moto changes it in place."""
    try:
        table = backend.get_table(table_name)
        return _size(table.get_item(*backend.get_keys_value(table, key)))
    except Exception:  # a missing table or key: moto's own call raises the error the client sees
        return 0


def _patch(models: Any) -> None:
    backend = models.DynamoDBBackend
    if getattr(backend.put_item, "__kit_reported__", False):
        return
    backend.put_item = _reported(backend.put_item)
    backend.update_item = _reported(backend.update_item, _size_before)
    backend.delete_item = _reported(backend.delete_item)


when_imported("moto.dynamodb.models", _patch)
