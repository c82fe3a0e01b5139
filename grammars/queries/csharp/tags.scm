; Cartograph tags for C#. Extends the tags query shipped by tree-sitter-c-sharp
; with structs, records, enums, properties, fields, constructors and usings.

(namespace_declaration name: (_) @name) @definition.module
(file_scoped_namespace_declaration name: (_) @name) @definition.module
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(enum_member_declaration name: (identifier) @name) @definition.enum_member
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.constructor
(property_declaration name: (identifier) @name) @definition.property
(field_declaration (variable_declaration (variable_declarator name: (identifier) @name))) @definition.field
(delegate_declaration name: (identifier) @name) @definition.type

; references
(invocation_expression function: (identifier) @name) @reference.call
(invocation_expression function: (member_access_expression name: (identifier) @name)) @reference.call
(invocation_expression function: (generic_name (identifier) @name)) @reference.call
(invocation_expression function: (member_access_expression name: (generic_name (identifier) @name))) @reference.call
(object_creation_expression type: (identifier) @name) @reference.call
(object_creation_expression type: (generic_name (identifier) @name)) @reference.call
(object_creation_expression type: (qualified_name name: (identifier) @name)) @reference.call
(base_list (identifier) @name @reference.inherit)
(base_list (generic_name (identifier) @name) @reference.inherit)
(base_list (qualified_name name: (identifier) @name) @reference.inherit)
(attribute name: (identifier) @name) @reference.type
(variable_declaration type: (identifier) @name) @reference.type
(parameter type: (identifier) @name) @reference.type
(method_declaration returns: (identifier) @name) @reference.type
(property_declaration type: (identifier) @name) @reference.type
(type_argument_list (identifier) @name @reference.type)

; imports
(using_directive (identifier) @import.module) @import
(using_directive (qualified_name) @import.module) @import

; bindings: typed locals and parameters
(variable_declaration type: (identifier) @binding.type (variable_declarator name: (identifier) @binding.name))
(parameter type: (identifier) @binding.type name: (identifier) @binding.name)
(variable_declarator name: (identifier) @binding.name (object_creation_expression type: (identifier) @binding.type))

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; locals: parameters and local variables
(parameter name: (identifier) @local)
(local_declaration_statement (variable_declaration (variable_declarator name: (identifier) @local)))
(variable_declarator name: (identifier) @binding.name (object_creation_expression type: (qualified_name name: (identifier) @binding.type)))
(variable_declarator name: (identifier) @binding.name (object_creation_expression type: (generic_name (identifier) @binding.type)))

; HTTP routes: ASP.NET `[HttpPost("send")]` with the controller's `[Route("api/[controller]")]`,
; minimal APIs `app.MapGet("/x", handler)`
(method_declaration
  (attribute_list (attribute name: (identifier) @http.method (attribute_argument_list . (attribute_argument (string_literal) @http.path))))
  name: (identifier) @http.handler
  (#match? @http.method "^Http(Get|Post|Put|Delete|Patch)$")) @http.route
(class_declaration
  (attribute_list (attribute name: (identifier) @_a (attribute_argument_list . (attribute_argument (string_literal) @http.prefix))))
  (#eq? @_a "Route")) @http.scope
;  (under the prefixes of the route groups it is mapped on: `app.MapGroup("api/x")`), with
;  the handler it is given by name
(invocation_expression
  function: (member_access_expression name: (identifier) @http.method)
  arguments: (argument_list . (argument (string_literal) @http.path) . (argument (_) @http.handler))
  (#match? @http.method "^Map(Get|Post|Put|Delete|Patch)$")) @http.route
(invocation_expression
  function: (member_access_expression name: (identifier) @http.method)
  arguments: (argument_list . (argument (string_literal) @http.path))
  (#match? @http.method "^Map(Get|Post|Put|Delete|Patch)$")) @http.route
; HTTP calls: HttpClient `GetStringAsync(url)`, `PostAsJsonAsync(url, body)`,
; `GetFromJsonAsync<T>(url)`, `new HttpRequestMessage(HttpMethod.Post, url)` (sent with
; `SendAsync`); a relative URL goes to the base address the client's registration
; gives (`AddHttpClient<CatalogService>(c => c.BaseAddress = new("http://catalog"))`)
(invocation_expression
  function: (member_access_expression name: [(identifier) @http.method (generic_name (identifier) @http.method)])
  arguments: (argument_list . (argument (_) @http.url))
  (#match? @http.method "^(Get|Post|Put|Delete|Patch)(Async|StringAsync|StreamAsync|ByteArrayAsync|FromJsonAsync|AsJsonAsync)$")) @http.typedcall
(object_creation_expression
  type: (identifier) @_t
  arguments: (argument_list . (argument (member_access_expression name: (identifier) @http.method)) . (argument (_) @http.url))
  (#eq? @_t "HttpRequestMessage")) @http.typedcall
(invocation_expression
  function: (member_access_expression name: (generic_name (identifier) @_m (type_argument_list)))
  arguments: (argument_list . (argument (lambda_expression)))
  (#eq? @_m "AddHttpClient")) @http.clientbase
; constants URLs are built from
(variable_declarator name: (identifier) @const.name [(string_literal) (interpolated_string_expression) (binary_expression)] @const.value)

; message topics: Confluent.Kafka `producer.ProduceAsync("orders", msg)`, `consumer.Subscribe("orders")`
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument (_) @topic.name))
  (#match? @_m "^(Produce|ProduceAsync)$")) @topic.produce
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument (_) @topic.name))
  (#eq? @_m "Subscribe")) @topic.consume
; RabbitMQ.Client: `channel.BasicPublish(exchange: "", routingKey: "q", ...)`: the exchange
; names the topic unless it is the default ("") one, where the key is the queue
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument (_) @topic.exchange .) . (argument (_) @topic.name .))
  (#match? @_m "^(BasicPublish|BasicPublishAsync)$")) @topic.produce
; `channel.BasicConsume(queue: "q", autoAck: true, consumer: c)`, `QueueBind(q, exchange, key)`
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument (_) @topic.name .))
  (#match? @_m "^(BasicConsume|BasicConsumeAsync)$")) @topic.consume
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument) . (argument (_) @topic.name .))
  (#match? @_m "^(QueueBind|QueueBindAsync)$")) @topic.consume
; NATS (NATS.Net, NATS.Client): `nats.PublishAsync("subject", data)`, `c.Publish(...)`,
; `nats.SubscribeAsync<T>("subject")`, `c.SubscribeAsync("subject", handler)`
(invocation_expression
  function: (member_access_expression name: [(identifier) @_m (generic_name (identifier) @_m)])
  arguments: (argument_list . (argument (_) @topic.name .) . (argument))
  (#match? @_m "^(Publish|PublishAsync|Request|RequestAsync)$")) @topic.produce
(invocation_expression
  function: (member_access_expression name: [(identifier) @_m (generic_name (identifier) @_m)])
  arguments: (argument_list . (argument (_) @topic.name .))
  (#match? @_m "^(SubscribeAsync|SubscribeSync|SubscribeCoreAsync)$")) @topic.consume
; event buses keyed by the message's type (the hand-written `IEventBus`, MassTransit,
; NServiceBus): `bus.PublishAsync(new OrderPaid(..))`, `outbox.AddAndSaveEventAsync(evt)`
; with `var evt = new OrderPaid(..)`, `endpoint.Publish<OrderPaid>(new { .. })`
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument [(object_creation_expression) (identifier)] @topic.type))
  (#match? @_m "^(Publish|Raise|Emit|Dispatch)|^(Add|Save|Store)[A-Za-z]*Event")) @topic.produce
; `Send(new PlaceOrderCommand(..))`: a command or event made in place (an HTTP
; `SendAsync(request)` sends no message)
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument (object_creation_expression type: (identifier) @_t) @topic.type))
  (#match? @_m "^(Send|SendAsync|SendLocal)$")
  (#match? @_t "(Command|Event|Message)$")
  (#not-match? @_t "^Http")) @topic.produce
(invocation_expression
  function: (member_access_expression
    name: (generic_name (identifier) @_m (type_argument_list . (_) @topic.type .)))
  arguments: (argument_list . (argument (anonymous_object_creation_expression)))
  (#match? @_m "^(Publish|PublishAsync|Send|SendAsync)$")) @topic.produce
; subscribers: `eventBus.AddSubscription<OrderPaid, OrderPaidHandler>()` (the handler's
; `Handle`), and a class implementing a handler interface of a message type
; (`IIntegrationEventHandler<OrderPaid>`, MassTransit `IConsumer<T>`, NServiceBus
; `IHandleMessages<T>`, MediatR's in-process `INotificationHandler<T>`): its `Handle`
; or `Consume`
(invocation_expression
  function: (member_access_expression
    name: (generic_name (identifier) @_m (type_argument_list . (_) @topic.type . (_) @topic.listener .)))
  (#match? @_m "^(AddSubscription|Subscribe|AddEventHandler)$")) @topic.consume
(class_declaration
  (base_list (generic_name (identifier) @_i (type_argument_list . (_) @topic.type .)))
  body: (declaration_list (method_declaration name: (identifier) @_h) @topic.consume)
  (#match? @_i "^(IIntegrationEventHandler|IEventHandler|IMessageHandler|IConsumer|IHandleMessages|INotificationHandler)$")
  (#match? @_h "^(Handle|HandleAsync|Consume)$"))

; Dapr: service invocation (`dapr.InvokeMethodAsync<T>(HttpMethod.Get, "cart", "api/items")`,
; POST unless a method is given) is an HTTP call to the app it names; pub/sub
; (`PublishEventAsync("pubsub", "orders", data)`, `[Topic("pubsub", "orders")]`,
; `.WithTopic("pubsub", "orders")`) names the topic second
(invocation_expression
  function: (member_access_expression name: [(identifier) @_m (generic_name (identifier) @_m)])
  arguments: (argument_list . (argument (member_access_expression) @http.method) . (argument (_) @http.app) . (argument (_) @http.url))
  (#match? @_m "^(InvokeMethodAsync|InvokeMethodWithResponseAsync|CreateInvokeMethodRequest)$")) @http.call
(invocation_expression
  function: (member_access_expression name: [(identifier) @_m (generic_name (identifier) @_m)])
  arguments: (argument_list . (argument [(string_literal) (identifier) (member_access_expression)] @http.app) . (argument [(string_literal) (interpolated_string_expression) (identifier)] @http.url))
  (#match? @_m "^(InvokeMethodAsync|InvokeMethodWithResponseAsync|CreateInvokeMethodRequest)$")) @http.call
(invocation_expression
  function: (member_access_expression name: [(identifier) @_m (generic_name (identifier) @_m)])
  arguments: (argument_list . (argument) . (argument (_) @topic.name))
  (#eq? @_m "PublishEventAsync")) @topic.produce
(method_declaration
  (attribute_list (attribute name: (identifier) @_a (attribute_argument_list . (attribute_argument) . (attribute_argument (_) @topic.name))))
  (#eq? @_a "Topic")) @topic.consume
(invocation_expression
  function: (member_access_expression name: (identifier) @_m)
  arguments: (argument_list . (argument) . (argument (_) @topic.name))
  (#eq? @_m "WithTopic")) @topic.consume

; Literal paths and URLs passed to calls: where a method that makes its request with
; what it is given (a wrapper: `CallApi("/orders")`) is used.
(invocation_expression arguments: (argument_list (argument [(string_literal) (interpolated_string_expression) (verbatim_string_literal)] @call.value
  (#match? @call.value "^[$@]*\"(/|https?://)"))))
(object_creation_expression arguments: (argument_list (argument [(string_literal) (interpolated_string_expression) (verbatim_string_literal)] @call.value
  (#match? @call.value "^[$@]*\"(/|https?://)"))))
; A parameter passed on to another call (a wrapper calling a wrapper: filled
; where the caller is called).
(invocation_expression arguments: (argument_list (argument (identifier) @call.value
  (#match? @call.value "(?i)(path|url|uri|endpoint|route)"))))
