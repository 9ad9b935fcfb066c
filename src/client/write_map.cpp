#include "client/write_map.h"
