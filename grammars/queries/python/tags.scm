; Cartograph tags for Python. Extends the tags query shipped by tree-sitter-python
; with methods, module-level constants, class attributes and imports.

(module (class_definition name: (identifier) @name) @definition.class)
(module (decorated_definition definition: (class_definition name: (identifier) @name) @definition.class))
(block (class_definition name: (identifier) @name) @definition.class)
(block (decorated_definition definition: (class_definition name: (identifier) @name) @definition.class))

(module (function_definition name: (identifier) @name) @definition.function)
(module (decorated_definition definition: (function_definition name: (identifier) @name) @definition.function))
(class_definition body: (block (function_definition name: (identifier) @name) @definition.method))
(class_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @name) @definition.method)))
(function_definition body: (block (function_definition name: (identifier) @name) @definition.function))
(function_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @name) @definition.function)))

(module (expression_statement (assignment left: (identifier) @name) @definition.variable))
; `first, second = pair()`, `(a, b) = ...` at the top level
(module (expression_statement (assignment left: (pattern_list (identifier) @name @definition.variable))))
(module (expression_statement (assignment left: (tuple_pattern (identifier) @name @definition.variable))))
(module (if_statement consequence: (block (expression_statement (assignment left: (identifier) @name) @definition.variable))))
(module (try_statement body: (block (expression_statement (assignment left: (identifier) @name) @definition.variable))))
(class_definition body: (block (expression_statement (assignment left: (identifier) @name) @definition.field)))
(assignment left: (attribute object: (identifier) @_self attribute: (identifier) @name) (#eq? @_self "self")) @definition.assigned_field

; references
(call function: (identifier) @name) @reference.call
(call function: (attribute attribute: (identifier) @name)) @reference.call
(class_definition superclasses: (argument_list (identifier) @name @reference.inherit))
(class_definition superclasses: (argument_list (attribute attribute: (identifier) @name) @reference.inherit))
(type (identifier) @name) @reference.type
(type (attribute attribute: (identifier) @name)) @reference.type
; forward references written as strings: `x: "Console"`, `-> Optional["Console"]`
(type (string (string_content) @name) (#match? @name "^[A-Za-z_][A-Za-z_0-9]*$")) @reference.type
(attribute attribute: (identifier) @name) @reference.other
(decorator (identifier) @name) @reference.call
(decorator (attribute attribute: (identifier) @name)) @reference.call

; imports
(import_statement name: (dotted_name) @import.module) @import
(import_statement name: (dotted_name) @name @reference.module)
(import_statement name: (aliased_import name: (dotted_name) @name @reference.module))
(import_from_statement module_name: (dotted_name) @name @reference.module)
(import_from_statement module_name: (relative_import) @name @reference.module)
(import_statement name: (aliased_import name: (dotted_name) @import.module alias: (identifier) @import.alias)) @import
(import_from_statement module_name: (_) @import.module) @import
(import_from_statement name: (dotted_name) @import.name) @import
(import_from_statement name: (aliased_import name: (dotted_name) @import.name)) @import
(import_from_statement module_name: (_) @import.module name: (aliased_import name: (dotted_name) @import.name alias: (identifier) @import.alias) @import)
(import_from_statement name: (dotted_name (identifier) @name .) @reference.import)
(import_from_statement name: (aliased_import name: (dotted_name (identifier) @name .)) @reference.import)

; bindings: names whose type the syntax shows
(assignment left: (identifier) @binding.name right: (call function: (identifier) @binding.type))
(assignment left: (identifier) @binding.name right: (call function: (attribute) @binding.type))
(assignment left: (identifier) @binding.name right: (await (call function: [(identifier) (attribute)] @binding.type)))
; `with Client() as client:`, `async with httpx.AsyncClient() as client:` (a context
; manager built by its class is, by convention, the value `as` binds)
(with_item value: (as_pattern
  (call function: [(identifier) @binding.type (attribute attribute: (identifier) @binding.type)])
  alias: (as_pattern_target (identifier) @binding.name))
  (#match? @binding.type "^[A-Z]"))

; Thrift servers: `ShippingService.Processor(ShippingHandler())` answers every function of
; ShippingService with the methods of the handler's class
(call
  function: (attribute object: (identifier) @grpc.service attribute: (identifier) @_p)
  arguments: (argument_list . (_) @grpc.handler)
  (#eq? @_p "Processor")) @grpc.register
(typed_parameter (identifier) @binding.name type: (type (identifier) @binding.type))
(typed_default_parameter name: (identifier) @binding.name type: (type (identifier) @binding.type))
; a generic type holds what its argument is (`Optional[Item]`), a collection its
; elements (`list[Item]`, `dict[str, Item]`: see `written_type`)
(typed_parameter (identifier) @binding.name type: (type (generic_type) @binding.type))
(typed_default_parameter name: (identifier) @binding.name type: (type (generic_type) @binding.type))

; elements of a collection: `for x in xs:`, `[x.y for x in xs]`
(for_statement left: (identifier) @element.name right: (_) @element.of) @element.scope
; an element taken by index or key (`first = items[0]`), to the end of its block
(block (expression_statement (assignment left: (identifier) @element.name !type
  right: (subscript value: (_) @element.of)))) @element.scope
[(list_comprehension (for_in_clause left: (identifier) @element.name right: (_) @element.of))
 (set_comprehension (for_in_clause left: (identifier) @element.name right: (_) @element.of))
 (dictionary_comprehension (for_in_clause left: (identifier) @element.name right: (_) @element.of))
 (generator_expression (for_in_clause left: (identifier) @element.name right: (_) @element.of))] @element.scope

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; locals: parameters and names bound inside definitions
(parameters (identifier) @local)
(default_parameter name: (identifier) @local)
(typed_parameter (identifier) @local)
(typed_default_parameter name: (identifier) @local)
(lambda_parameters (identifier) @local)
(function_definition body: (block (expression_statement (assignment left: (identifier) @local))))
(for_statement left: (identifier) @local)
(for_in_clause left: (identifier) @local)
(as_pattern_target (identifier) @local)

; HTTP routes: Flask `@app.route("/cart/<id>", methods=["POST"])`, FastAPI `@router.get("/cart/{id}")`
(decorated_definition
  (decorator (call
    function: (attribute attribute: (identifier) @http.method)
    arguments: (argument_list . (string) @http.path)))
  definition: (function_definition name: (identifier) @http.handler)
  (#match? @http.method "^(route|get|post|put|delete|patch)$")
  (#match? @http.path "^[rbfuRBFU]*[\"']/")) @http.route
; HTTP calls: `requests.get(url)`, `httpx.post(url)`, `session.put(url)`, and a client
; held by the instance (`self.client.get("/cart")`: a locust `HttpUser`, a test client)
(call
  function: (attribute
    object: [(identifier) @_lib (attribute object: (identifier) @_self attribute: (identifier) @_lib)]
    attribute: (identifier) @http.method)
  arguments: (argument_list . (_) @http.url)
  (#match? @_lib "^(requests|httpx|session|client|http)$")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
(call
  function: (attribute
    object: [(identifier) @_lib (attribute object: (identifier) @_self attribute: (identifier) @_lib)]
    attribute: (identifier) @http.method)
  arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @http.url))
  (#eq? @_k "url")
  (#match? @_lib "^(requests|httpx|session|client|http)$")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
; Any other call whose URL argument (the first, or `url=`) evaluates to an absolute URL,
; whatever the client (a wrapper, `urllib.request.urlopen`, `aiohttp`): see `http.urlcall`.
(call
  function: [(identifier) (attribute attribute: (identifier))] @http.method
  arguments: (argument_list . [(string) (binary_operator) (call) (subscript)] @http.url)) @http.urlcall
(call
  function: [(identifier) (attribute attribute: (identifier))] @http.method
  arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @http.url))
  (#eq? @_k "url")) @http.urlcall
; constants and variables URLs are built from (module, class attributes read as
; `self.EXCHANGE`, locals: a use sees the last assignment before it)
(assignment left: (identifier) @const.name right: (_) @const.value)
; instance attributes set from what the initialiser is given: `self.base_url = base_url`
(assignment
  left: (attribute object: (identifier) @_s attribute: (identifier) @const.name)
  right: (_) @const.value
  (#eq? @_s "self"))
; configuration entries: `app.config["CART_URI"] = "http://{}/cart".format(...)`
(assignment left: (subscript) @const.name right: (_) @const.value)

; message topics: `producer.send("orders", value)`, `KafkaConsumer("orders")`, `consumer.subscribe(["orders"])`
(call
  function: (attribute object: (_) @_o attribute: (identifier) @_m)
  arguments: (argument_list . (_) @topic.name)
  (#match? @_o "(?i)producer")
  (#match? @_m "^(send|produce|send_and_wait)$")) @topic.produce
(call
  function: (identifier) @_c
  arguments: (argument_list . (_) @topic.name)
  (#match? @_c "^(KafkaConsumer|AIOKafkaConsumer)$")) @topic.consume
(call
  function: (attribute object: (_) @_o attribute: (identifier) @_m)
  arguments: (argument_list . (_) @topic.name)
  (#match? @_o "(?i)consumer")
  (#eq? @_m "subscribe")) @topic.consume
; NATS (nats-py) and Redis pub/sub: `await nc.publish("subject", data)`, `nc.request(...)`,
; `await nc.subscribe("subject", cb=handler)`, `redis.publish("channel", msg)`
(call
  function: (attribute object: (_) @_o attribute: (identifier) @_m)
  arguments: (argument_list . (_) @topic.name)
  (#match? @_o "(?i)(^|\\.)(nc|js|jetstream|\\w*nats\\w*|\\w*redis\\w*)$")
  (#match? @_m "^(publish|request)$")) @topic.produce
(call
  function: (attribute object: (_) @_o attribute: (identifier) @_m)
  arguments: (argument_list . (_) @topic.name)
  (#match? @_o "(?i)(^|\\.)(nc|js|jetstream|\\w*nats\\w*|\\w*redis\\w*|pubsub|\\w*_sub)$")
  (#match? @_m "^(subscribe|pull_subscribe)$")) @topic.consume
; RabbitMQ (pika): `channel.basic_publish(exchange="x", routing_key="q", body=b)`: the
; exchange names the topic unless it is the default ("") one, where the key is the queue
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    (keyword_argument name: (identifier) @_e value: (_) @topic.exchange)
    (keyword_argument name: (identifier) @_k value: (_) @topic.name))
  (#eq? @_m "basic_publish")
  (#eq? @_e "exchange")
  (#eq? @_k "routing_key")) @topic.produce
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @topic.name))
  (#eq? @_m "basic_publish")
  (#eq? @_k "routing_key")) @topic.produce
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (string) @topic.exchange . (_) @topic.name)
  (#eq? @_m "basic_publish")) @topic.produce
; `channel.basic_consume(queue="q", on_message_callback=cb)`, `basic_consume("q", cb)`
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @topic.name))
  (#eq? @_m "basic_consume")
  (#eq? @_k "queue")) @topic.consume
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . [(string) (identifier) (attribute)] @topic.name)
  (#eq? @_m "basic_consume")) @topic.consume
; `channel.queue_bind(exchange="x", queue=q)`: what is published to the exchange
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @topic.name))
  (#eq? @_m "queue_bind")
  (#eq? @_k "exchange")) @topic.consume
; Django `path("cart/<int:id>/", views.cart_detail)` in urls.py (a view function, a
; view's attribute, or `View.as_view()`)
(call
  function: (identifier) @http.method
  arguments: (argument_list . (string) @http.path . [(identifier) (attribute) (call function: (attribute))] @http.handler)
  (#match? @http.method "^(path|re_path)$")) @http.route
; Django `path("api/", include("payments.urls"))`: the module's routes under a prefix
(call
  function: (identifier) @_p
  arguments: (argument_list
    . (string) @mount.prefix
    . (call function: (identifier) @_i arguments: (argument_list . (string) @mount.target)))
  (#match? @_p "^(path|re_path)$")
  (#eq? @_i "include")) @http.mount

; FastAPI `app.include_router(items.router, prefix="/items")`, Flask
; `app.register_blueprint(cart.bp, url_prefix="/cart")`: the module's routes under a prefix
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    . [(identifier) (attribute)] @mount.target
    (keyword_argument name: (identifier) @_k value: (_) @mount.prefix))
  (#match? @_m "^(include_router|register_blueprint)$")
  (#match? @_k "^(prefix|url_prefix)$")) @http.mount

; arguments that may pass a URL to a function or constructor of the service
(argument_list [(identifier) (attribute) (string) (keyword_argument)] @const.argument
  (#match? @const.argument "(?i)((url|uri|host|endpoint|addr|base)[a-z0-9_]*$|^[\"']https?://|^[a-z0-9_]*(url|uri|host|endpoint|addr|base)[a-z0-9_]*\\s*=)"))

; rpc addresses: `TSocket.TSocket("catalog", 9090)`, `grpc.insecure_channel(ADDR)`
(call
  function: [(identifier) @_f (attribute attribute: (identifier) @_f)]
  arguments: (argument_list . [(string) (identifier) (attribute) (call) (binary_operator)] @rpc.address)
  (#match? @_f "^(TSocket|TSSLSocket|insecure_channel|secure_channel)$"))

; Dapr: service invocation (`d.invoke_method("cart", "items", http_verb="GET")`) is an
; HTTP call to the app it names; pub/sub (`publish_event("pubsub", "orders", ..)`,
; `@app.subscribe(pubsub="pubsub", topic="orders")`)
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) @http.app . (_) @http.url)
  (#match? @_m "^(invoke_method|invoke_method_async)$")) @http.call
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) . [(string) (identifier) (attribute)] @topic.name)
  (#eq? @_m "publish_event")) @topic.produce
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @topic.name))
  (#eq? @_m "publish_event")
  (#eq? @_k "topic_name")) @topic.produce
(decorated_definition
  (decorator (call
    function: (attribute attribute: (identifier) @_m)
    arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @topic.name))))
  definition: (function_definition) @topic.consume
  (#eq? @_m "subscribe")
  (#eq? @_k "topic"))

; Literal paths and URLs passed to calls: where a function that makes its request with
; what it is given (a wrapper: `call_api("/orders")`) is used.
(call arguments: (argument_list (string) @call.value
  (#match? @call.value "^[fFrRbBuU]*[\"'](/|https?://)")))
(call arguments: (argument_list (keyword_argument value: (string) @call.value
  (#match? @call.value "^[fFrRbBuU]*[\"'](/|https?://)"))))

; Datastores and brokers the code connects to: connection strings, and the host
; option of a client whose name says what it is (`redis.Redis(host=h)`).
((string) @store.address
  (#match? @store.address "^[fFrRbBuU]*[\"'](jdbc:)?(mongodb(\\+srv)?|rediss?|amqps?|postgres(ql)?|mysql|mariadb|nats|kafka|cassandra|memcached)://"))
(call arguments: (argument_list (keyword_argument name: (identifier) @_k value: (_) @store.address))
  (#match? @_k "^(host|hostname|url|uri|addr|address)$"))
; A parameter passed on to another call (a wrapper calling a wrapper: filled
; where the caller is called).
(call arguments: (argument_list (identifier) @call.value
  (#match? @call.value "(?i)(path|url|uri|endpoint|route|queue|topic|exchange|subject)")))
; A destination's name passed to a function that publishes or consumes (a helper
; whose parameter names the topic: filled in where it is called).
(call function: [(identifier) @_callee (attribute attribute: (identifier) @_callee)] arguments: (argument_list [(string)] @call.value)
  (#match? @_callee "(?i)(publish|send|emit|produce|subscribe|consume|listen|receive)"))
