"""Uploads larger than any import takes are read past, never kept.

Django keeps a small upload in memory and writes a large one to a temporary file,
whatever its size. This handler, first in FILE_UPLOAD_HANDLERS, stops passing a
file on once it is larger than the import limit: the rest of the request is still
read (the form's other fields may follow the file), but neither memory nor disk
holds more than the limit, and the form receives an empty stand-in of the real
size, which the spreadsheet reader refuses as too large, saying the size.

A request larger than FILE_UPLOAD_MAX_MEMORY_SIZE has Django's temporary-file
handler (after this one) write the file's first chunks to disk; once the file is
dropped, that temporary file is closed, which deletes it, there and then: nothing
is left open or on disk while the page answers (or after, should the request
object live on).
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from jxc.table_limits import MAX_BYTES


class SizeLimitUploadHandler(FileUploadHandler):
    limit = MAX_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        was_within = self.received <= self.limit
        self.received += len(raw_data)
        if self.received <= self.limit:
            return raw_data
        if was_within:
            self._close_later_handlers_files()
        # None: the handlers after this one never see the chunk.
        return None

    def _close_later_handlers_files(self):
        """Close what the handlers after this one began for the dropped file (the
        temporary file Django's TemporaryFileUploadHandler keeps as ``file``)."""
        handlers = getattr(self.request, "upload_handlers", None) or []
        later = False
        for handler in handlers:
            if handler is self:
                later = True
            elif later and getattr(handler, "file", None) is not None:
                handler.file.close()

    def file_complete(self, file_size):
        if self.received <= self.limit:
            return None  # the next handler has the whole file
        return InMemoryUploadedFile(
            io.BytesIO(),
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )
